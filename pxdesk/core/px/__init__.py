"""PX REST client: regions, HTTP with retries and typed errors, scroll listings, field catalog."""

from pxdesk.core.px.client import PxClient, RequestEvent
from pxdesk.core.px.fields import SourceField, source_fields, standard_fields
from pxdesk.core.px.paging import Listing, Page
from pxdesk.core.px.regions import REGIONS, resolve_base_url

__all__ = [
    "REGIONS",
    "Listing",
    "Page",
    "PxClient",
    "RequestEvent",
    "SourceField",
    "resolve_base_url",
    "source_fields",
    "standard_fields",
]
