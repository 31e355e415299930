"""One-line configuration errors naming the field and what is allowed."""


class ConfigError(ValueError):
    """A config value the model refuses; ``str(error)`` is the single line shown to the user."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")

    def __reduce__(self):
        """Picklable with its two arguments: a worker process's refusal reaches the user."""
        return type(self), (self.field, self.message)
