"""Loss surfaces: the real network's slices through weight space, toy surfaces, one step."""
