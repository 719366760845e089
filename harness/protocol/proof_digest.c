/*
 * proof_digest.c: reading the challenge, and formatting and writing the
 * proof line (proof_digest.h). Without stdio (text_buffer.h): nothing here
 * may allocate.
 */
#include "proof_digest.h"

#include "text_buffer.h"

#include <fcntl.h>
#include <stdlib.h>

/* The value of hexadecimal digit `digit`, or -1. */
static int hex_value(char digit)
{
    if (digit >= '0' && digit <= '9')
        return digit - '0';
    if (digit >= 'a' && digit <= 'f')
        return digit - 'a' + 10;
    if (digit >= 'A' && digit <= 'F')
        return digit - 'A' + 10;
    return -1;
}

/* Parses exactly MSTATS_PROOF_HEX_DIGITS digits of `text` into key[0]
 * (the first half) and key[1]; false on anything else. */
static bool parse_challenge(const char *text, uint64_t key[2])
{
    key[0] = key[1] = 0;
    for (int i = 0; i < MSTATS_PROOF_HEX_DIGITS; i++) {
        int value = hex_value(text[i]);
        if (value < 0) /* the NUL of a short text stops here too */
            return false;
        key[i / 16] = key[i / 16] << 4 | (uint64_t)value;
    }
    return text[MSTATS_PROOF_HEX_DIGITS] == '\0';
}

/* Parses `text` as a descriptor open for writing; -1 when it is not one. */
static int parse_writable_fd(const char *text)
{
    long fd = 0;
    if (*text == '\0')
        return -1;
    for (; *text != '\0'; text++) {
        if (*text < '0' || *text > '9' || fd > 65535)
            return -1;
        fd = fd * 10 + (*text - '0');
    }
    int flags = fcntl((int)fd, F_GETFL);
    if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY)
        return -1;
    return (int)fd;
}

bool mstats_proof_open(struct mstats_proof *proof)
{
    const char *challenge = getenv(MSTATS_ENV_CHALLENGE);
    const char *fd_text = getenv(MSTATS_ENV_PROOF_FD);
    proof->active = false;
    proof->fd = -1;
    if (challenge == NULL || fd_text == NULL || !parse_challenge(challenge, proof->key))
        return false;
    proof->fd = parse_writable_fd(fd_text);
    proof->active = proof->fd >= 0;
    return proof->active;
}

/* splitmix64's finaliser: every input bit reaches every output bit. */
static uint64_t finalise(uint64_t x)
{
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

/* Appends `value` as 16 lowercase hexadecimal digits, without text_add_hex's 0x. */
static void add_hex64(struct text_buffer *text, uint64_t value)
{
    static const char digits[] = "0123456789abcdef";
    for (int shift = 60; shift >= 0; shift -= 4)
        text_add_char(text, digits[(value >> shift) & 0xF]);
}

size_t mstats_proof_format(const struct mstats_proof *proof, const struct mstats_proof_sum *sum,
                           bool peak_varies, char line[MSTATS_PROOF_LINE_MAX])
{
    /* The count is mixed in too: a sum alone would not see a check whose
     * contribution happened to be zero. */
    uint64_t low = finalise((uint64_t)sum->value ^ finalise(sum->checks ^ proof->key[0]));
    uint64_t high = finalise((uint64_t)(sum->value >> 64) ^ finalise(low ^ proof->key[1]));
    struct text_buffer text;
    text_init(&text, line, MSTATS_PROOF_LINE_MAX);
    text_add(&text, MSTATS_PROOF_TAG "digest=");
    add_hex64(&text, high);
    add_hex64(&text, low);
    text_add(&text, " checks=");
    text_add_u64(&text, sum->checks);
    text_add(&text, peak_varies ? " peak-live=varies\n" : " peak-live=exact\n");
    return text.length;
}

bool mstats_proof_write(const struct mstats_proof *proof, const struct mstats_proof_sum *sum,
                        bool peak_varies)
{
    if (!proof->active)
        return true;
    char line[MSTATS_PROOF_LINE_MAX];
    size_t length = mstats_proof_format(proof, sum, peak_varies, line);
    struct text_buffer text = {line, MSTATS_PROOF_LINE_MAX, length};
    return text_write(&text, proof->fd) == 0;
}
