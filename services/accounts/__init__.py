"""Customers' users and how they get in: first credentials and their letters, sign-in and its
rest after wrong tries, second factor, passwords, invitations, sessions, the end of access
after the contract and the data export."""
