"""How the bot process runs: the webhook server and the update ids in its log lines."""
