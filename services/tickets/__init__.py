"""Requests and service tickets: the workflow (states, replies, tasks), routing to teams and
service levels."""
