"""Crawler workers on several machines: one queue of targets with leases, one frontier per leased target, one
politeness budget per site, all in Redis; one PostgreSQL archive.

- `queue`: the targets of a targets file, leased (never popped) by workers; state changes are Lua scripts.
- `frontier`: scrapy-redis's scheduler and dupefilter on the keys of one lease; a lost Redis ends the crawl.
- `ratelimit`: every request of every worker waits for its site's turn in Redis (download handler wrapper).
- `worker`: the loop of `complaints worker`: lease a target, crawl it, record how it ended, lease the next.
- `commands`: `complaints enqueue`, `complaints worker`, `complaints queue`.
"""
