"""ptce: the open platform of the pôles territoriaux de coopération économique."""
