class Open311Error(Exception):
    """An error answered in the spec's format with this HTTP status."""

    def __init__(self, status, description):
        super().__init__(description)
        self.status = status
        self.description = description
