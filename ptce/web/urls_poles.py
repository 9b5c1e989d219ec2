"""Pages of the hubs: public observatory (namespace "observatory") and the coordinator
workspace (namespace "workspace")."""

observatory_patterns: list = []
workspace_patterns: list = []
