"""Redis clients of the workers: short timeouts and few retries, so that a server gone away is noticed in
seconds (and said in one line) instead of hanging a crawl."""

from __future__ import annotations

import re

import redis
import redis.asyncio
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from complaints_crawler.errors import first_line

# A blip is retried (3 times within about half a second); a server that stays away is an error.
_TIMEOUT, _CONNECT_TIMEOUT, _HEALTH_CHECK = 10.0, 5.0, 30


class RedisUnavailable(RuntimeError):
    """Redis did not answer; the message is one line that names the server."""


def client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 3),
        socket_timeout=_TIMEOUT,
        socket_connect_timeout=_CONNECT_TIMEOUT,
        health_check_interval=_HEALTH_CHECK,
    )


def async_client(url: str) -> redis.asyncio.Redis:
    from redis.asyncio.retry import Retry as AsyncRetry

    return redis.asyncio.Redis.from_url(
        url,
        retry=AsyncRetry(ExponentialBackoff(cap=0.2, base=0.05), 3),
        socket_timeout=_TIMEOUT,
        socket_connect_timeout=_CONNECT_TIMEOUT,
        health_check_interval=_HEALTH_CHECK,
    )


def connect(url: str) -> redis.Redis:
    """A client whose server answered a PING."""
    try:
        server = client(url)
        server.ping()
    except ValueError as error:  # a URL redis-py cannot read
        raise RedisUnavailable(f"cannot read the Redis URL {shown(url)}: {error}") from None
    except redis.RedisError as error:
        raise RedisUnavailable(f"Redis at {shown(url)} does not answer: {first_line(error)}") from None
    return server


def shown(url: str) -> str:
    """The URL without its password."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)
