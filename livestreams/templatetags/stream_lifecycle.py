"""What a page may offer for a stream, read from ``livestreams.lifecycle`` (never from status
literals in a template)."""

from django import template

from livestreams import lifecycle

register = template.Library()


@register.simple_tag
def stream_actions(stream) -> list:
    """The transitions a person may take on ``stream`` now (``{% stream_actions s as a %}``)."""
    return lifecycle.actions_for(stream)


@register.filter
def stream_editable(stream) -> bool:
    return stream.status in lifecycle.EDITABLE_STATUSES


@register.filter
def stream_results_open(stream) -> bool:
    return stream.status in lifecycle.RESULTS_OPEN


@register.filter
def stream_has_report(stream) -> bool:
    return stream.status in lifecycle.REPORTABLE
