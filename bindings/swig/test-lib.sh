# test-lib.sh - sourced by the Java, C# and Python bindings' test.sh:
#
#   check_example NAME EXPECTED_FILE COMMAND...
#
# runs COMMAND (60 s at most) and counts it in the caller's `passed` when it
# exits 0 printing exactly EXPECTED_FILE (stdout and stderr together), else
# in `failed`, showing what it printed and what was expected.
check_example() {
    local name=$1 expected=$2 got status
    shift 2
    got=$(timeout 60 "$@" 2>&1)
    status=$?
    if [ "$status" -eq 0 ] && [ "$got" == "$(cat "$expected")" ]; then
        echo "ok   example $name"
        passed=$((passed + 1))
    else
        echo "FAIL example $name (status $status); got:"
        echo "$got"
        echo "expected:"
        cat "$expected"
        failed=$((failed + 1))
    fi
}
