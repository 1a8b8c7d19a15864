#include "attnstep/narration.h"

/* English. A translation adds a table of the same shape and a way to choose it;
 * nothing else in attnstep holds sentences about the stages. */
static const struct stage_text english[STAGE_KIND_COUNT] = {
    [STAGE_TOKENS] = {"Tokens",
        "The sentence is cut into tokens: words, and each punctuation mark on its own. "
        "Every token is looked up in the model's vocabulary; a word the model has never seen "
        "becomes <unk>, the one entry kept for unknown words."},
    [STAGE_EMBED] = {"Embeddings",
        "Each token becomes a list of numbers, its embedding: a row of the embedding table. "
        "These numbers are learned; words used alike end up with similar rows. "
        "So far each word knows only itself, not its neighbours."},
    [STAGE_POSITIONAL] = {"Positional encoding",
        "Attention looks at every word at once, so on its own it cannot tell \"dog bites man\" "
        "from \"man bites dog\". Each position gets a fixed pattern of sines and cosines, slow "
        "waves and fast ones, so that every position has its own fingerprint."},
    [STAGE_X] = {"Input x = embedding + position",
        "The position's pattern is added to the word's embedding. Each row of x now says both "
        "which word it is and where it stands in the sentence."},
    [STAGE_Q] = {"Queries",
        "Each word asks a question: \"which other words matter to me?\" Its query is x times "
        "the learned matrix W_Q. This head uses only its own slice of the columns."},
    [STAGE_K] = {"Keys",
        "Each word also advertises what it contains: its key, x times W_K. A query and a key "
        "that point the same way will make a high score."},
    [STAGE_V] = {"Values",
        "The value, x times W_V, is what a word hands over to the words that attend to it. "
        "The key decides how much is passed on; the value is what is passed on."},
    [STAGE_SCORES] = {"Scores",
        "Every query is compared with every key by a dot product: multiply matching numbers "
        "and add them up. A large score means \"this word answers my question\". All pairs "
        "are computed at once; no word waits for another."},
    [STAGE_SCALED] = {"Scaled scores",
        "The scores are divided by the square root of d_k, the length of a query. Longer "
        "vectors give larger dot products; without this, softmax would put almost all weight "
        "on one word and learning would stall."},
    [STAGE_MASKED] = {"Causal mask",
        "A decoder writes a sentence left to right, so a word may not look at the words after "
        "it. Their scores are set to minus infinity, which softmax turns into a weight of "
        "exactly 0."},
    [STAGE_WEIGHTS] = {"Attention weights (softmax)",
        "Softmax turns each row of scores into weights: e to the power of each score, divided "
        "by the row's total. The weights are positive and add up to 1, so each word shares out "
        "its attention. The largest score is subtracted first; the result is the same, but no "
        "number overflows."},
    [STAGE_HEAD_OUT] = {"Head output",
        "Each word's new vector is a weighted mix of all the values: mostly the values of the "
        "words it attends to. This is the context-aware version of the word, as this head "
        "sees it."},
    [STAGE_CONCAT] = {"Concatenate the heads",
        "Each head looked for something different. Their outputs are laid side by side, giving "
        "every word a vector as wide as the model again."},
    [STAGE_OUTPUT] = {"Output projection",
        "A last learned matrix, W_O, mixes what the heads found into one vector per word. "
        "Every output row has looked at the whole sentence: this is self-attention's result."},
    [STAGE_RNN_INPUT] = {"RNN: read the next word",
        "An RNN reads the sentence one word after another, like a person reading aloud. It takes "
        "the word's embedding as it is: no positional encoding, because reading in order already "
        "tells it where each word stands. It cannot start this word before the last one is done."},
    [STAGE_RNN_PRE] = {"RNN: mix the word with the memory",
        "The new word, times W_xh, is added to the memory of everything read so far (the hidden "
        "state h), times W_hh. This is the only way earlier words reach this point: through the "
        "memory, one step at a time."},
    [STAGE_RNN_H] = {"RNN: the new memory h_t",
        "tanh squeezes every number into (-1, 1). The result is the new hidden state: a summary of "
        "the sentence up to this word. Each step squeezes and mixes again, so the first words fade "
        "as the sentence grows."},
    [STAGE_LSTM_INPUT] = {"LSTM: read the next word",
        "An LSTM reads one word at a time too, but it keeps two memories: the cell c, a long-term "
        "store, and h, what it shows the next step. No positional encoding: the order comes from "
        "reading in order."},
    [STAGE_LSTM_GATES] = {"LSTM: the gates",
        "Four gates are computed from the word and the last h. i (input) decides how much new "
        "information to write, f (forget) how much of the old cell to keep, g is the candidate to "
        "write, o (output) how much of the cell to show. σ keeps gates between 0 and 1: 0 closes, 1 "
        "opens."},
    [STAGE_LSTM_C] = {"LSTM: update the cell",
        "The cell keeps what the forget gate lets through and adds what the input gate lets in: "
        "c = f·c_prev + i·g. When f stays near 1, old information passes through many steps almost "
        "untouched: this is how an LSTM remembers longer than a plain RNN."},
    [STAGE_LSTM_H] = {"LSTM: the new h_t",
        "The output gate decides how much of the cell, squeezed by tanh, becomes h, the memory "
        "passed to the next word."},
    [STAGE_INFLUENCE] = {"How much each word still matters",
        "If we nudged a word's embedding a little, how much would the final result move? That is "
        "the influence, computed exactly by backpropagation. Through a recurrent memory, a word "
        "far from the end is many steps away and its influence shrinks; in attention every word is "
        "one step from every other."},
    [STAGE_RESIDUAL1] = {"Add: the residual connection",
        "The attention output is added back to the layer's input x. The layer only has to learn a "
        "change to each word's vector, not the whole vector, and the gradient has a short path back "
        "during training."},
    [STAGE_NORM1] = {"Norm: layer normalisation",
        "Each word's vector is shifted to mean 0 and scaled to variance 1, then stretched by γ and "
        "moved by β (both learned). This keeps the numbers in a steady range layer after layer."},
    [STAGE_FFN_HIDDEN] = {"Feed-forward: widen",
        "The same small network is applied to every word on its own: first a wider layer, then the "
        "activation (relu keeps positives, gelu is a smooth version), which lets the block compute "
        "things a single matrix product cannot."},
    [STAGE_FFN_OUTPUT] = {"Feed-forward: back to d_model",
        "A second matrix brings each word back to the model's width. Attention mixed information "
        "between words; the feed-forward network works on each word with what it gathered."},
    [STAGE_RESIDUAL2] = {"Add again",
        "The feed-forward result is added to its input: another residual connection."},
    [STAGE_NORM2] = {"Norm again",
        "A second layer normalisation ends the encoder block. A real transformer stacks many such "
        "blocks; this one has one."},
    [STAGE_POOLED] = {"One vector for the sentence",
        "To judge the whole sentence, the words' vectors are averaged into one. Because attention "
        "let every word see the others, each vector already carries context."},
    [STAGE_LOGITS] = {"Logits: a score per class",
        "A last learned matrix turns the sentence vector into one score per class (for example "
        "negative and positive). Larger means more likely."},
    [STAGE_PROBS] = {"Probabilities: the prediction",
        "Softmax turns the scores into probabilities that add up to 1. The class with the largest "
        "probability is the model's answer. Training adjusts every matrix so that this answer is "
        "right more often."},
};

const struct stage_text *narration_stage(enum stage_kind kind)
{
    return &english[kind];
}

const char *narration_granularity(enum granularity g)
{
    static const char *const name[] = {"stage", "row", "cell"};
    return name[g];
}
