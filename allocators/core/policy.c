/*
 * policy.c - orders shared by several policies.
 */
#include "policy.h"

int policy_order_by_address(const block *a, const block *b)
{
    return (a > b) - (a < b);
}
