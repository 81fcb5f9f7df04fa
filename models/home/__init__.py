"""Each person's dashboard (the Slack Home tab, `/pm home` everywhere): what waits for them."""
