"""Git adapter (GitPython): checkout, commit, push with retry."""
