"""What a page may offer for an enrolment, read from ``training.lifecycle``."""

from django import template

from training import lifecycle

register = template.Library()


@register.filter
def enrolment_can(enrollment, action: str) -> bool:
    """Whether the enrolment's status allows ``action`` (``{% if e|enrolment_can:"drop" %}``)."""
    return enrollment.status in lifecycle.BY_ACTION[action].sources


@register.filter
def enrolment_open(enrollment) -> bool:
    """Whether any of the trainer's actions applies to the enrolment."""
    return bool(lifecycle.actions_for(enrollment))
