"""`flask --app portal api-client …`: the supplier's systems as clients of the JSON API."""
from __future__ import annotations

import click

from extensions import db
from models.base import utcnow
from services.api import clients


def register(app) -> None:
    @app.cli.group("api-client")
    def api_client():
        """Clients of the JSON API (/api/v1) and their tokens."""

    @api_client.command("create")
    @click.argument("name")
    @click.option("--scope", "scopes", multiple=True, required=True,
                  help="KIND:write (push an import kind) or TOPIC:read (pull a topic); repeat for more.")
    @click.option("--days", default=clients.DEFAULT_DAYS, show_default=True, type=int, help="Days the token is valid.")
    def create(name, scopes, days):
        """Create a client with a token; the token is printed this once (only its hash is kept)."""
        try:
            _client, secret = clients.create_client(name, scopes, days)
        except clients.ClientRefused as refused:
            raise click.ClickException(str(refused)) from None
        db.session.commit()
        _print_secret(secret)

    @api_client.command("token")
    @click.argument("name")
    @click.option("--scope", "scopes", multiple=True, required=True, help="As for create.")
    @click.option("--days", default=clients.DEFAULT_DAYS, show_default=True, type=int, help="Days the token is valid.")
    def token(name, scopes, days):
        """Issue another token to a client (to rotate: issue, switch the system over, revoke the old one)."""
        client = _client_or_fail(name)
        try:
            _token, secret = clients.issue_token(client, scopes, days)
        except clients.ClientRefused as refused:
            raise click.ClickException(str(refused)) from None
        db.session.commit()
        _print_secret(secret)

    @api_client.command("revoke")
    @click.argument("name")
    @click.option("--token", "token_id", type=int, help="Only this token (its number in `list`); else all of them.")
    def revoke(name, token_id):
        """Revoke a client's tokens at once."""
        client = _client_or_fail(name)
        chosen = [t for t in client.tokens if token_id is None or t.id == token_id]
        if token_id is not None and not chosen:
            raise click.ClickException(f"{name} has no token {token_id}")
        revoked = sum(clients.revoke(t) for t in chosen)
        db.session.commit()
        click.echo(f"{revoked} tokens revoked")

    @api_client.command("list")
    def list_clients():
        """Every client with its tokens: number, state, scopes, expiry, last use."""
        from sqlalchemy import select

        from models.api import ApiClient

        now = utcnow()
        for client in db.session.scalars(select(ApiClient).order_by(ApiClient.name)):
            click.echo(f"{client.name}{'' if client.active else ' (switched off)'}")
            for t in client.tokens:
                used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
                click.echo(f"  token {t.id}: {t.state(now)}, expires {t.expires_at:%Y-%m-%d}, last used {used}, "
                           f"scopes {t.scopes}")


def _client_or_fail(name: str):
    client = clients.client_named(name)
    if client is None:
        raise click.ClickException(f"no API client named {name}")
    return client


def _print_secret(secret: str) -> None:
    click.echo("The token (shown this once; only its hash is kept — store it in the client's secrets now):")
    click.echo(secret)
