#!/bin/bash
# Opens an app's encrypted data volume at boot with the disk key from the basekms KMS.
#
# Runs once per boot, as root, before the app starts (deploy/agent/compose.yaml, service
# `unlock`). `basekms agent boot` measures the app into RTMR3, proves it with a fresh TDX quote,
# verifies the KMS's receipt on chain, and writes the raw 32-byte key to stdout (`--out -`);
# the key goes straight into `cryptsetup --key-file=-`. It is never written to a file, an
# environment variable, an argument or a log. If the agent refuses or fails it writes nothing,
# cryptsetup gets no key and fails too, and `pipefail` makes this script exit non-zero.
#
# Settings (all required unless a default is shown):
#   BASEKMS_KMS_URL, BASEKMS_RPC_URL, BASEKMS_DEPLOYMENT   the KMS, and the chain the agent trusts
#   BASEKMS_APP_COMPOSE     the app-compose.json this VM runs (its hash is measured)
#   BASEKMS_APP_ID          0x + 20 bytes
#   BASEKMS_INSTANCE_ID     hex; the same on every boot of this instance (the key depends on it)
#   BASEKMS_DATA_DEVICE     the block device holding the LUKS2 volume, e.g. /dev/vdb
#   BASEKMS_MOUNT           where to mount the opened volume (default /run/basekms/data)
#   BASEKMS_MAPPER_NAME     device-mapper name (default basekms-data)
set -euo pipefail

: "${BASEKMS_KMS_URL:?}" "${BASEKMS_RPC_URL:?}" "${BASEKMS_DEPLOYMENT:?}" "${BASEKMS_APP_COMPOSE:?}"
: "${BASEKMS_APP_ID:?}" "${BASEKMS_INSTANCE_ID:?}" "${BASEKMS_DATA_DEVICE:?}"
mount_point="${BASEKMS_MOUNT:-/run/basekms/data}"
mapper="${BASEKMS_MAPPER_NAME:-basekms-data}"

# The key on stdout; progress, warnings and the receipt summary on stderr.
disk_key() {
  node /opt/basekms/bin/basekms.js agent boot \
    --kms "$BASEKMS_KMS_URL" \
    --rpc "$BASEKMS_RPC_URL" \
    --deployment "$BASEKMS_DEPLOYMENT" \
    --app-compose "$BASEKMS_APP_COMPOSE" \
    --app-id "$BASEKMS_APP_ID" \
    --instance-id "$BASEKMS_INSTANCE_ID" \
    --quote-provider tsm \
    --out -
}

if [ -e "/dev/mapper/$mapper" ]; then
  echo "unlock: /dev/mapper/$mapper is already open" >&2
elif cryptsetup isLuks "$BASEKMS_DATA_DEVICE"; then
  disk_key | cryptsetup open --type luks2 --key-file=- "$BASEKMS_DATA_DEVICE" "$mapper"
elif cmp --silent --bytes=1048576 "$BASEKMS_DATA_DEVICE" /dev/zero; then
  # First boot of this instance: the device's first MiB is blank. Format it with the disk key
  # (a uniformly random 32-byte key needs no slow KDF), then open it. The second `agent boot`
  # reuses this boot's measurement and is logged as a second release to the same instance.
  echo "unlock: $BASEKMS_DATA_DEVICE is blank; creating the LUKS2 volume" >&2
  disk_key | cryptsetup luksFormat --batch-mode --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
    --key-file=- "$BASEKMS_DATA_DEVICE"
  disk_key | cryptsetup open --type luks2 --key-file=- "$BASEKMS_DATA_DEVICE" "$mapper"
  mkfs.ext4 -q -L basekms-data "/dev/mapper/$mapper"
else
  # Neither a LUKS volume nor blank: never format over data.
  echo "unlock: $BASEKMS_DATA_DEVICE is neither a LUKS volume nor blank; refusing to touch it" >&2
  exit 1
fi

mkdir -p "$mount_point"
if ! mountpoint -q "$mount_point"; then
  mount -o nodev,nosuid "/dev/mapper/$mapper" "$mount_point"
fi
echo "unlock: $BASEKMS_DATA_DEVICE is open at $mount_point" >&2
