"""PostgreSQL with pools that survive a database blink.

`ENGINE = "stigmer.postgresql"` is Django's PostgreSQL backend whose pool
(`DATABASE_POOL=1`) recovers at once when the server drops every connection;
`pools.py` holds the pool classes, also used by the LangGraph checkpointer.
"""
