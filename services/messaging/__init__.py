"""Messages to customers and their delivery notes."""
