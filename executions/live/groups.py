"""Channels group names (letters, digits, hyphens, underscores, periods only)."""
FEED_ALL_GROUP = "executions.feed.all"


def execution_group(execution_id) -> str:
    return f"execution.{execution_id}"


def feed_user_group(user_id) -> str:
    return f"executions.feed.user.{user_id}"
