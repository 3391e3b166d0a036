class Open311Error(Exception):
    """An error answered in the spec's format with this HTTP status (and, for 429, the
    seconds after which to retry)."""

    def __init__(self, status, description, *, retry_after=None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
