"""Template filters for people: masked phone numbers (ID numbers are stored masked already)."""

from django import template

from accounts.identity import phone_mask as mask

register = template.Library()


@register.filter
def phone_mask(phone: str | None) -> str:
    return mask(phone)
