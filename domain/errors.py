"""The single exception type raised by every parser, so handlers need one ``except``."""


class InputProblem(ValueError):
    """Bad user input; ``message`` is friendly text that can be shown verbatim in the chat."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
