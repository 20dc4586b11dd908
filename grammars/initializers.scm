; Designated initialisers that install a function in an ops table: .fsync = btrfs_sync_file
(initializer_pair
  designator: (field_designator (field_identifier) @field)
  value: (identifier) @value) @pair
