from marketplace.common.errors import DomainError


class TooManyMessages(DomainError):
    """A sender went over settings.MESSAGES_PER_MINUTE; they may write again a minute later."""

    status_code = 429
    code = "too_many_messages"
