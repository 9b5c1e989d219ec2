"""The writes of pooling, in one place for callers: resources (`resources`), bookings and
usage (`bookings`); costs, periods and statements are in `accounting`.

`create_draft_resource(acting_user, *, pole, name, kind, organisations, note)` is what
cooperation calls when a pooling proposal is accepted.
"""

from ptce.pooling.bookings import (
    BOOKING_FIELDS,
    MAX_SERIES,
    book,
    book_series,
    cancel_booking,
    change_booking,
    overlap_message,
    record_usage,
)
from ptce.pooling.resources import (
    RESOURCE_FIELDS,
    archive_resource,
    closed_period_on,
    create_draft_resource,
    create_feed_token,
    create_resource,
    feed_is_live,
    feed_shows_who,
    hub_organisation_ids,
    members_of,
    require_manager,
    revoke_feed_token,
    rules_of,
    set_availability,
    set_units,
    speaks_for,
    update_resource,
)

__all__ = [
    "BOOKING_FIELDS",
    "MAX_SERIES",
    "RESOURCE_FIELDS",
    "archive_resource",
    "book",
    "book_series",
    "cancel_booking",
    "change_booking",
    "closed_period_on",
    "create_draft_resource",
    "create_feed_token",
    "create_resource",
    "feed_is_live",
    "feed_shows_who",
    "hub_organisation_ids",
    "members_of",
    "overlap_message",
    "record_usage",
    "require_manager",
    "revoke_feed_token",
    "rules_of",
    "set_availability",
    "set_units",
    "speaks_for",
    "update_resource",
]
