"""tern_gen: loads the XenAPI datamodel in schema/ and emits code and documents from it."""
