"""The Lark (Feishu) front end: messages and card callbacks over HTTP or the long connection."""
