"""restora.data layer: datasets, paired samples, seeded degradations and mask generators.

Modules: sample (PairedSample, collate_samples), datasets (ImageFolder), paired
(PairedDataset), tasks (task presets), transforms (paired crops/flips/rotations), rng,
degradations (interface, Compose/RandomChoice/RandomApply), downscale, kernels, blur, noise,
jpeg, tone, aging, damage, free_form, masks, nvidia_masks, edges, examples.
"""
