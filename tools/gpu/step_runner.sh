# tools/gpu/step_runner.sh — sourced by the tools/gpu check scripts (with `out` set to their
# output folder): `step NAME LOG command…` runs the command with stdout and stderr in
# $out/LOG, appends "NAME: exit RC" to the array `summary`, and sets `status` to 1 when the
# command failed (status starts at 0).
status=0
summary=()
step() {
  local name=$1 log=$2
  shift 2
  "$@" > "$out/$log" 2>&1
  local rc=$?
  summary+=("$name: exit $rc")
  [ $rc -eq 0 ] || status=1
}
