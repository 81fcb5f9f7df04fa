"""The personal dashboard: /pm home, and Slack's Home tab drawn from the same card."""
