"""The Slack front end: Bolt listeners that turn Slack payloads into commands and actions."""
