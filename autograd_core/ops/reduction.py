"""(filled in by the reduction family)"""

METHODS: dict = {}
FUNCTIONS: dict = {}
