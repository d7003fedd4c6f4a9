"""Password rule of provider users: not like the name or credit code of their provider (公司名).

Django's validators (settings.AUTH_PASSWORD_VALIDATORS) already refuse a password like the username
("shop-admin1"), all digits, short or common ones. This one adds the company: listed in the settings
it checks a provider user's password on every change (API, admin, ``changepassword``); a login being
created has no provider account yet, so its creator passes the provider explicitly.
"""

import re

from django.contrib.auth.password_validation import UserAttributeSimilarityValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _provider_of(user):
    if user is None or user.pk is None:
        return None
    account = getattr(user, "provider_account", None)
    return account.provider if account is not None else None


class ProviderNameSimilarityValidator(UserAttributeSimilarityValidator):
    """Refuse a password similar to (Django's similarity test), containing, or contained in the provider's name,
    or similar to its credit code."""

    def __init__(self, provider=None, max_similarity=0.7):
        super().__init__(user_attributes=("name", "credit_code"), max_similarity=max_similarity)
        self.provider = provider

    def validate(self, password, user=None):
        provider = self.provider or _provider_of(user)
        if provider is None:
            return
        # Chinese names have no word breaks, and a name with a year added passes a similarity ratio: compare the
        # letters of the password with the name's, both ways.
        letters = re.sub(r"[\W\d_]+", "", password.lower())
        name = re.sub(r"[\W_]+", "", (provider.name or "").lower())
        if name and (name in re.sub(r"[\W_]+", "", password.lower()) or (len(letters) >= 4 and letters in name)):
            raise ValidationError(
                self.get_error_message(),
                code="password_too_similar",
                params={"verbose_name": str(provider._meta.get_field("name").verbose_name)},
            )
        super().validate(password, user=provider)

    def get_error_message(self):
        return _("The password is too similar to the provider's %(verbose_name)s.")

    def get_help_text(self):
        return _("Your password can't be too similar to your provider's name or credit code.")
