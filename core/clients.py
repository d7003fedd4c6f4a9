"""Who is calling: the client's address, read the same way by the API throttles and the login lockout."""

from rest_framework.settings import api_settings


def client_ip(request) -> str:
    """REMOTE_ADDR, or, behind ``NUM_PROXIES`` trusted proxies, the address the outermost of them saw.

    Without NUM_PROXIES a client-sent X-Forwarded-For is ignored: a client must not choose its own
    rate-limit or lockout counter by sending a new header each time.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = api_settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not proxies or not addresses:
        return remote
    return addresses[-min(proxies, len(addresses))]
