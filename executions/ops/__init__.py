"""Operations: how the long-running processes run (event loop, all-in-one platform) and the metrics they are watched by."""
