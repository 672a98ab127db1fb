"""Speed and memory measurements, run side by side so ratios hold on a noisy machine."""
