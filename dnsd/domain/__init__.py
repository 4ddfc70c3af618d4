"""The pure core: names, records, zones, pools, snapshots. Standard library only."""
