"""(filled in by the softmax family)"""

METHODS: dict = {}
FUNCTIONS: dict = {}
