"""wirewatch's benchmarks: `python -m bench` (or `make bench`) runs them and prints the figures.

crawlbench  a real crawl of the simulator against extraction alone; archive bytes; memory
policy_sim  the re-check policy against NewsDiffs's tiers on one synthetic edit timeline
diffbench   diff and edit analysis against difflib's word diff
"""
