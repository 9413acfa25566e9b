"""(filled in by the movement family)"""

METHODS: dict = {}
FUNCTIONS: dict = {}
