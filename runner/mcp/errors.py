class McpServerError(RuntimeError):
    """An MCP server could not be reached, or stopped answering: the run fails
    with this message, which names the server. (A tool's own error is not
    this: the model reads it and goes on.)"""
