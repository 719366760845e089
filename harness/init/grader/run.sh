#!/bin/sh
# PrairieLearn's external grader runs this (the question's "entrypoint"):
# the student's files are in /grade/student, the score goes to
# /grade/results/results.json.
#
# GRADE_ROOT replaces /grade (to try it outside PrairieLearn).
root=${GRADE_ROOT:-/grade}
exec "$(dirname "$0")/grade.sh" --prairielearn "$root/student" "$root/results/results.json"
