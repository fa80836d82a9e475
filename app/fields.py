"""Form fields shared across features, with GOV.UK widgets and plain-word errors."""

from wtforms import DateField, DecimalField, IntegerField
from wtforms.validators import StopValidation


class GovDateField(DateField):
    """Three boxes (day, month, year), with errors that say what to type."""

    def __init__(self, label=None, validators=None, *, invalid_message: str | None = None,
                 **kwargs):
        from govuk_frontend_wtf.wtforms_widgets import GovDateInput

        kwargs.setdefault("widget", GovDateInput())
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message or f"{label} must be a real date, like 27 3 2024"

    def process_formdata(self, valuelist):
        if len(valuelist) != 3:
            # Not the three boxes (a hand-made request): the widget shows them empty, never a 500.
            self.raw_data = None
            self.data = None
            if valuelist:
                raise ValueError(self.invalid_message)
            return
        if not any(part.strip() for part in valuelist):
            self.data = None
            return
        try:
            super().process_formdata([" ".join(part.strip() for part in valuelist)])
        except ValueError as error:
            self.data = None
            raise ValueError(self.invalid_message) from error

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation(self.process_errors[0])


class PlainDecimalField(DecimalField):
    """A number box whose error says what to type, not "Not a valid decimal value"."""

    def __init__(self, label=None, validators=None, *, invalid_message: str | None = None, **kwargs):
        from govuk_frontend_wtf.wtforms_widgets import GovTextInput

        kwargs.setdefault("widget", GovTextInput())
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message or f"{label} must be a number, like 18.5"

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].strip().replace(",", "")]
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            self.data = None
            raise ValueError(self.invalid_message) from error


class MoneyField(PlainDecimalField):
    """Pounds, typed as people write them: "£27,500", "27500" or "3.50"."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_message", f"{label} must be an amount in pounds, like 27,500 or 3.50")
        kwargs.setdefault("places", 2)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].replace("£", "").replace(" ", "")]
        super().process_formdata(valuelist)

    @property
    def pence(self) -> int | None:
        return None if self.data is None else int((self.data * 100).to_integral_value())


class PlainIntegerField(IntegerField):
    """A whole-number box whose error says what to type."""

    def __init__(self, label=None, validators=None, *, invalid_message: str | None = None, **kwargs):
        from govuk_frontend_wtf.wtforms_widgets import GovTextInput

        kwargs.setdefault("widget", GovTextInput())
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message or f"{label} must be a whole number, like 3"

    def process_formdata(self, valuelist):
        try:
            super().process_formdata([v.strip() for v in valuelist])
        except ValueError as error:
            self.data = None
            raise ValueError(self.invalid_message) from error


def parse_clock(text: str | None):
    """A time of day as people type it: "9:30", "09.30", "9.30am", "6pm", "18:15"; None if not one."""
    import re
    from datetime import time

    match = re.fullmatch(r"\s*(\d{1,2})(?:[:.](\d{2}))?\s*([ap])?\.?\s*m?\.?\s*", (text or "").lower())
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half is None and match.group(2) is None:
        return None  # a bare number is not a time
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)
