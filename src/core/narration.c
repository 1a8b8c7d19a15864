#include "attnstep/narration.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attnstep/i18n.h"

/* Every sentence attnstep says about a stage, in English, marked with N_() for
 * the catalogue (po/ko.po) and translated with _() where it is handed out:
 * nothing else in attnstep holds sentences about the stages.
 *
 * `english` says what is true of a trained model without the causal mask (and,
 * for the RNN, of weights that shrink its memory); `variant` replaces it where
 * the model on screen is different. Sentences stay whole, not pieced together,
 * so a translator sees each one entire. */
static const struct stage_text english[STAGE_KIND_COUNT] = {
    [STAGE_TOKENS] = {
        /* TRANSLATORS: title of the stage "Tokens"; one line, ≤ 34 cells */
        N_("Tokens"),
        /* TRANSLATORS: stage "Tokens" explained; ≤ 4 lines of 76 cells */
        N_("The sentence is cut into tokens: here whole words, split at spaces, and each ASCII punctuation "
           "mark. A Korean word is a whole 어절, particles included. Real models cut words into smaller "
           "pieces (subwords), as attnstep does for a model with a tokenizer.csv. A token not in the vocabulary "
           "becomes <unk>.")},
    [STAGE_EMBED] = {
        /* TRANSLATORS: title of the stage "Embeddings"; one line, ≤ 34 cells */
        N_("Embeddings"),
        /* TRANSLATORS: stage "Embeddings" explained; ≤ 4 lines of 76 cells */
        N_("Each token becomes a list of numbers, its embedding: its row of the embedding table E. This "
           "model was trained, so these rows were learned: words that sway its answer alike tend to get "
           "similar rows. So far each word knows only itself, not its neighbours.")},
    [STAGE_POSITIONAL] = {
        /* TRANSLATORS: title of the stage "Positional encoding"; one line, ≤ 34 cells */
        N_("Positional encoding"),
        /* TRANSLATORS: stage "Positional encoding" explained; ≤ 4 lines of 76 cells */
        /* the example: the same words in two orders that mean different things (Korean particles
           keep who bites whom in any order: 안 먹고 잤다 / 먹고 안 잤다 works) */
        N_("Attention compares words by what they are, not where they stand: alone, it cannot tell "
           "\"dog bites man\" from \"man bites dog\". Each position (counted from 0) gets a fixed pattern of "
           "sines and cosines, slow waves and fast ones: its own fingerprint. Nothing here is learned.")},
    [STAGE_X] = {
        /* TRANSLATORS: title of the stage "Input x = embedding + position"; one line, ≤ 34 cells */
        N_("Input x = embedding + position"),
        /* TRANSLATORS: stage "Input x = embedding + position" explained; ≤ 4 lines of 76 cells */
        N_("The position's pattern is added to the word's embedding. Each row of x now says both which word "
           "it is and where it stands in the sentence.")},
    /* Q, K, V, the scores and the head output tell the library of the study notes:
     * a query is the question a reader brings ("what am I looking for?"), a key the
     * label on a book's spine, a value the book's content; the scores say how well
     * each book matches, and the weights mix the contents of every book. */
    [STAGE_Q] = {
        /* TRANSLATORS: title of the stage "Queries"; one line, ≤ 34 cells */
        N_("Queries"),
        /* TRANSLATORS: stage "Queries" explained; ≤ 4 lines of 76 cells */
        N_("Think of a library. Each word brings a question: \"what am I looking for?\" Its query is that "
           "question in numbers: its row of x times W_Q, a matrix learned in training, plus a bias b_Q if "
           "the model has one. Each head uses its own d_k columns of W_Q.")},
    [STAGE_K] = {
        /* TRANSLATORS: title of the stage "Keys"; one line, ≤ 34 cells */
        N_("Keys"),
        /* TRANSLATORS: stage "Keys" explained; ≤ 4 lines of 76 cells */
        N_("Each word is also a book on the shelf, and its key is the label on the spine that advertises "
           "what the book contains: x times W_K (plus b_K, if any). A query and a key that point the same "
           "way give a high score, the more so the longer they are; opposite directions give a negative one.")},
    [STAGE_V] = {
        /* TRANSLATORS: title of the stage "Values"; one line, ≤ 34 cells */
        N_("Values"),
        /* TRANSLATORS: stage "Values" explained; ≤ 4 lines of 76 cells */
        N_("The value, x times W_V (plus b_V, if any), is the book's content: what a word hands over to the "
           "words that attend to it. The query-key scores, after softmax, decide how much is passed on; the "
           "value is what is passed on.")},
    [STAGE_SCORES] = {
        /* TRANSLATORS: title of the stage "Scores"; one line, ≤ 34 cells */
        N_("Scores"),
        /* TRANSLATORS: stage "Scores" explained; ≤ 4 lines of 76 cells */
        N_("Every query is compared with every key by a dot product: multiply matching numbers and add them "
           "up. The larger the score, the better the key (the label) fits the query (the question); in a "
           "trained model, \"this word answers my question\". All pairs are computed at once; no word waits "
           "for another.")},
    [STAGE_SCALED] = {
        /* TRANSLATORS: title of the stage "Scaled scores"; one line, ≤ 34 cells */
        N_("Scaled scores"),
        /* TRANSLATORS: stage "Scaled scores" explained; ≤ 4 lines of 76 cells */
        N_("Scores are divided by √d_k (d_k: numbers in a query or key). If the entries were independent, "
           "mean 0, variance 1, a dot product would have variance d_k; this makes it 1. Large scores "
           "saturate softmax: nearly all weight on one word, gradients near 0. Trained weights can still "
           "make them large.")},
    [STAGE_MASKED] = {
        /* TRANSLATORS: title of the stage "Causal mask"; one line, ≤ 34 cells */
        N_("Causal mask"),
        /* TRANSLATORS: stage "Causal mask" explained; ≤ 4 lines of 76 cells */
        N_("A decoder writes a sentence left to right, so a word may not look at the words after it. Their "
           "scores are set to −∞, which softmax turns into a weight of exactly 0.")},
    [STAGE_WEIGHTS] = {
        /* TRANSLATORS: title of the stage "Attention weights (softmax)"; one line, ≤ 34 cells */
        N_("Attention weights (softmax)"),
        /* TRANSLATORS: stage "Attention weights (softmax)" explained; ≤ 4 lines of 76 cells */
        N_("Softmax turns each row of scores into weights: e to the power of each score, over the sum of "
           "those powers across the row (all keys). Each weight is at least 0 (exactly 0 for −∞) and each "
           "row adds up to 1. The row's largest score is subtracted first: same result, no overflow.")},
    [STAGE_HEAD_OUT] = {
        /* TRANSLATORS: title of the stage "Head output"; one line, ≤ 34 cells */
        N_("Head output"),
        /* TRANSLATORS: stage "Head output" explained; ≤ 4 lines of 76 cells */
        N_("Each word's new vector is a mix of all the values, weighted by its row of attention weights: "
           "mostly the values of the words it attends to. It takes not one book but a blend of all the "
           "books' contents. This is the context-aware version of the word, as this head sees it.")},
    [STAGE_CONCAT] = {
        /* TRANSLATORS: title of the stage "Concatenate the heads"; one line, ≤ 34 cells */
        N_("Concatenate the heads"),
        /* TRANSLATORS: stage "Concatenate the heads" explained; ≤ 4 lines of 76 cells */
        N_("Each head can look for something different. Their outputs are laid side by side: H heads of d_k "
           "numbers give every word d_model numbers again.")},
    [STAGE_OUTPUT] = {
        /* TRANSLATORS: title of the stage "Output projection"; one line, ≤ 34 cells */
        N_("Output projection"),
        /* TRANSLATORS: stage "Output projection" explained; ≤ 4 lines of 76 cells */
        N_("One more matrix, W_O, mixes what the heads found into one vector per word. Every output row has "
           "looked at the whole sentence: this is self-attention's result.")},
    [STAGE_RNN_INPUT] = {
        /* TRANSLATORS: title of the stage "RNN: read the next word"; one line, ≤ 34 cells */
        N_("RNN: read the next word"),
        /* TRANSLATORS: stage "RNN: read the next word" explained; ≤ 4 lines of 76 cells */
        N_("An RNN reads the sentence one word after another, like a person reading aloud. It takes the "
           "word's embedding as it is: no positional encoding, because reading in order already gives it "
           "the order of the words. It cannot start a word before the previous one is done.")},
    [STAGE_RNN_PRE] = {
        /* TRANSLATORS: title of the stage "RNN: mix the word with the memory"; one line, ≤ 34 cells */
        N_("RNN: mix the word with the memory"),
        /* TRANSLATORS: stage "RNN: mix the word with the memory" explained; ≤ 4 lines of 76 cells */
        N_("The new word, times W_xh, is added to the memory of everything read so far (the hidden state h "
           "of the previous word), times W_hh, plus a bias if the model has one. This is the only way "
           "earlier words reach this point: through the memory, one step at a time.")},
    [STAGE_RNN_H] = {
        /* TRANSLATORS: title of the stage "RNN: the new memory h_t"; one line, ≤ 34 cells */
        N_("RNN: the new memory h_t"),
        /* TRANSLATORS: stage "RNN: the new memory h_t" explained; ≤ 4 lines of 76 cells */
        N_("tanh squeezes every number into (−1, 1). The result is the new hidden state: a summary of the "
           "sentence up to this word. This W_hh shrinks every vector and tanh's slope is at most 1, so the "
           "first words fade as the sentence grows; with larger weights they need not.")},
    [STAGE_LSTM_INPUT] = {
        /* TRANSLATORS: title of the stage "LSTM: read the next word"; one line, ≤ 34 cells */
        N_("LSTM: read the next word"),
        /* TRANSLATORS: stage "LSTM: read the next word" explained; ≤ 4 lines of 76 cells */
        N_("An LSTM reads one word at a time too, but it keeps two memories: the cell c, a long-term store, "
           "and h, what it shows the next step. No positional encoding: the order comes from reading in "
           "order.")},
    [STAGE_LSTM_GATES] = {
        /* TRANSLATORS: title of the stage "LSTM: the gates"; one line, ≤ 34 cells */
        N_("LSTM: the gates"),
        /* TRANSLATORS: stage "LSTM: the gates" explained; ≤ 4 lines of 76 cells */
        N_("From the word and the previous h come three gates and a candidate. Input gate i: how much to "
           "write; forget gate f: how much old cell to keep; output gate o: how much cell to show. σ puts "
           "each gate in (0, 1), closed to open. The candidate g, what may be written, uses tanh: (−1, 1).")},
    [STAGE_LSTM_C] = {
        /* TRANSLATORS: title of the stage "LSTM: update the cell"; one line, ≤ 34 cells */
        N_("LSTM: update the cell"),
        /* TRANSLATORS: stage "LSTM: update the cell" explained; ≤ 4 lines of 76 cells */
        N_("The cell keeps what the forget gate lets through and adds what the input gate lets in: c_t = f "
           "⊙ c_{t−1} + i ⊙ g, where ⊙ multiplies entry by entry. When f stays near 1, old information "
           "passes through many steps almost untouched: this is how an LSTM can remember longer than a "
           "plain RNN.")},
    [STAGE_LSTM_H] = {
        /* TRANSLATORS: title of the stage "LSTM: the new h_t"; one line, ≤ 34 cells */
        N_("LSTM: the new h_t"),
        /* TRANSLATORS: stage "LSTM: the new h_t" explained; ≤ 4 lines of 76 cells */
        N_("The output gate decides how much of the cell, squeezed by tanh, becomes h: h_t = o ⊙ tanh(c_t), "
           "entry by entry. h is the memory passed to the next word.")},
    [STAGE_INFLUENCE] = {
        /* TRANSLATORS: title of the stage "How much each word still matters"; one line, ≤ 34 cells */
        N_("How much each word still matters"),
        /* TRANSLATORS: stage "How much each word still matters" explained; ≤ 4 lines of 76 cells */
        N_("Influence ‖∂h_N/∂e_i‖: how strongly the final memory h_N responds to small changes of word i's "
           "embedding (exact, by backpropagation). A far word is many steps away, and these weights shrink "
           "its effect at every step. In attention every word is one step from the last.")},
    [STAGE_RESIDUAL1] = {
        /* TRANSLATORS: title of the stage "Add: the residual connection"; one line, ≤ 34 cells */
        N_("Add: the residual connection"),
        /* TRANSLATORS: stage "Add: the residual connection" explained; ≤ 4 lines of 76 cells */
        N_("The attention output is added back to the layer's input x. The layer only has to learn a change "
           "to each word's vector, not the whole vector, and the gradient has a short path back during "
           "training.")},
    [STAGE_NORM1] = {
        /* TRANSLATORS: title of the stage "Norm: layer normalisation"; one line, ≤ 34 cells */
        N_("Norm: layer normalisation"),
        /* TRANSLATORS: stage "Norm: layer normalisation" explained; ≤ 4 lines of 76 cells */
        N_("Each word's vector is shifted to mean 0 and divided by √(variance + ε), the variance taken over "
           "its d_model entries (dividing by d_model) and ε a tiny guard against 0. Then each entry is "
           "stretched by γ and moved by β, which training learns. This keeps the numbers in a steady range.")},
    [STAGE_FFN_HIDDEN] = {
        /* TRANSLATORS: title of the stage "Feed-forward: widen"; one line, ≤ 34 cells */
        N_("Feed-forward: widen"),
        /* TRANSLATORS: stage "Feed-forward: widen" explained; ≤ 4 lines of 76 cells */
        N_("The same small network is applied to every word on its own. First it computes d_ff numbers per "
           "word (usually more than d_model), n1·W_ff1 + b_ff1, then the activation: relu keeps positives "
           "and sets negatives to 0, gelu is a smooth version. Without it, the two matrices would act as "
           "one.")},
    [STAGE_FFN_OUTPUT] = {
        /* TRANSLATORS: title of the stage "Feed-forward: back to d_model"; one line, ≤ 34 cells */
        N_("Feed-forward: back to d_model"),
        /* TRANSLATORS: stage "Feed-forward: back to d_model" explained; ≤ 4 lines of 76 cells */
        N_("A second matrix, W_ff2, brings each word back to the model's width. Attention mixed information "
           "between words; the feed-forward network works on each word alone, with what it gathered.")},
    [STAGE_RESIDUAL2] = {
        /* TRANSLATORS: title of the stage "Add again"; one line, ≤ 34 cells */
        N_("Add again"),
        /* TRANSLATORS: stage "Add again" explained; ≤ 4 lines of 76 cells */
        N_("The feed-forward result is added to its input: another residual connection.")},
    [STAGE_NORM2] = {
        /* TRANSLATORS: title of the stage "Norm again"; one line, ≤ 34 cells */
        N_("Norm again"),
        /* TRANSLATORS: stage "Norm again" explained; ≤ 4 lines of 76 cells */
        N_("A second layer normalisation ends the encoder block. A real transformer stacks many such "
           "blocks; this one has one.")},
    [STAGE_POOLED] = {
        /* TRANSLATORS: title of the stage "One vector for the sentence"; one line, ≤ 34 cells */
        N_("One vector for the sentence"),
        /* TRANSLATORS: stage "One vector for the sentence" explained; ≤ 4 lines of 76 cells */
        N_("To judge the whole sentence, the words' vectors are averaged into one (mean pooling). Because "
           "attention let every word see the others, each vector already carries context.")},
    [STAGE_LOGITS] = {
        /* TRANSLATORS: title of the stage "Logits: a score per class"; one line, ≤ 34 cells */
        N_("Logits: a score per class"),
        /* TRANSLATORS: stage "Logits: a score per class" explained; ≤ 4 lines of 76 cells */
        N_("A last matrix, W_cls, plus a bias, turns the sentence vector into one score (a logit) per "
           "class, for example negative and positive. The larger a class's logit, the larger its "
           "probability next.")},
    [STAGE_PROBS] = {
        /* TRANSLATORS: title of the stage "Probabilities: the prediction"; one line, ≤ 34 cells */
        N_("Probabilities: the prediction"),
        /* TRANSLATORS: stage "Probabilities: the prediction" explained; ≤ 4 lines of 76 cells */
        N_("Softmax turns the logits into probabilities that add up to 1. The class with the largest "
           "probability is the model's answer, and the probability its confidence, not a guarantee. "
           "Training adjusts every weight so that the right class gets a higher probability on the training "
           "sentences.")},
    /* A language model (bundle task,lm): the stages after norm2. */
    [STAGE_LM_LOGITS] = {
        /* TRANSLATORS: title of the stage "Logits: a score per token"; one line, ≤ 34 cells */
        N_("Logits: a score per token"),
        /* TRANSLATORS: stage "Logits: a score per token" explained; ≤ 4 lines of 76 cells */
        N_("A last matrix, W_lm (plus a bias b_lm if the model has one), turns the last position's vector into "
           "one score (a logit) per vocabulary token: how strongly the model proposes it as the next token. "
           "Every position gets such a row; writing the next word needs only the last.")},
    [STAGE_LM_PROBS] = {
        /* TRANSLATORS: title of the stage "Probabilities of the next token"; one line, ≤ 34 cells */
        N_("Probabilities of the next token"),
        /* TRANSLATORS: stage "Probabilities of the next token" explained; ≤ 4 lines of 76 cells */
        N_("Softmax turns the logits into probabilities over the whole vocabulary that add up to 1: the "
           "model's guess at the next token. Training a language model raises, at every position of its "
           "training sentences, the probability of the token that really came next.")},
    [STAGE_LM_CHOICE] = {
        /* TRANSLATORS: title of the stage "The choice: the next token"; one line, ≤ 34 cells */
        N_("The choice: the next token"),
        /* TRANSLATORS: stage "The choice: the next token" explained; ≤ 4 lines of 76 cells */
        N_("Here the most probable token is chosen (greedy). To write on, it joins the sentence and the pass "
           "runs again to find the token after it, until <eos> ends the sentence. Picking at random by the "
           "probabilities (sampling) instead gives more varied text.")},
};

enum variant { V_RANDOM, V_UNKNOWN, V_CAUSAL, V_NO_POSITIONS, V_GROWS, V_LSTM, V_SUBWORD, V_LM, N_VARIANTS };

/* V_RANDOM, V_UNKNOWN: the model's weights are random, or it does not say;
 * V_CAUSAL: the causal mask is on; V_NO_POSITIONS: the model adds no
 * positional encoding; V_GROWS: W_hh may stretch a vector (the RNN); V_LSTM:
 * the LSTM lesson; V_SUBWORD: the model has tokenizer.csv (it cuts words into
 * pieces), whatever else holds; V_LM: a language model (bundle task,lm, the
 * causal mask always on), before V_CAUSAL. NULL: the sentence above holds. */
static const char *const variant[STAGE_KIND_COUNT][N_VARIANTS] = {
    [STAGE_TOKENS] = {
        [V_SUBWORD] =
            /* TRANSLATORS: stage "Tokens" explained for a model with tokenizer.csv
               (subword pieces); ≤ 4 lines of 76 cells. A merge joins two adjacent
               symbols; its number is its row in tokenizer.csv. Pieces are frequent
               character sequences, not morphemes (some coincide, many do not). A
               trained model lacks only characters unseen in training. */
            N_("A word starts as characters, joined by tokenizer.csv's merges, lowest number first. Frequent "
               "words often stay whole, rare ones split (## marks a later piece), so a fixed vocabulary covers "
               "new words; a piece it lacks, like an unseen character, is <unk>. Pieces are runs picked by count, "
               "not meaning."),
    },
    [STAGE_POSITIONAL] = {
        [V_CAUSAL] =
            /* TRANSLATORS: stage "Positional encoding" explained (causal mask on); ≤ 4 lines of 76 cells */
            N_("Attention compares words by what they are, not where they stand. The causal mask, hiding the "
               "later words, gives only an indirect hint of order. So each position (counted from 0) gets a "
               "fixed pattern of sines and cosines, slow waves and fast ones: its own fingerprint. Nothing here "
               "is learned."),
    },
    [STAGE_X] = {
        [V_NO_POSITIONS] =
            /* TRANSLATORS: stage "Input x = embedding + position" explained (no positions); ≤ 4 lines of 76 cells */
            /* the example: as in "Positional encoding", two orders of the same words, two meanings */
            N_("This model adds no positional encoding: x is the embedding itself. Without the causal mask, "
               "attention then sees a bag of words: putting the words in another order only puts the output "
               "rows in that order, as if \"dog bites man\" meant \"man bites dog\"."),
    },
    [STAGE_EMBED] = {
        [V_RANDOM] =
            /* TRANSLATORS: stage "Embeddings" explained (random weights); ≤ 4 lines of 76 cells */
            N_("Each token becomes a list of numbers, its embedding: its row of the embedding table E. This "
               "model is not trained: its rows are random numbers, so similar words need not have similar rows; "
               "training would make them so. So far each word knows only itself, not its neighbours."),
        [V_UNKNOWN] =
            /* TRANSLATORS: stage "Embeddings" explained (training not said); ≤ 4 lines of 76 cells */
            N_("Each token becomes a list of numbers, its embedding: its row of the embedding table E. Training "
               "learns these rows, and words used alike tend to get similar rows; this model does not say "
               "whether it was trained. So far each word knows only itself, not its neighbours."),
    },
    /* Q, K, V, the scores and the head output tell the library of the study notes:
     * a query is the question a reader brings ("what am I looking for?"), a key the
     * label on a book's spine, a value the book's content; the scores say how well
     * each book matches, and the weights mix the contents of every book. */
    [STAGE_Q] = {
        [V_RANDOM] =
            /* TRANSLATORS: stage "Queries" explained (random weights); ≤ 4 lines of 76 cells */
            N_("Think of a library. Each word brings a question: \"what am I looking for?\" Its query is that "
               "question in numbers: its row of x times W_Q. Training would learn W_Q; in this untrained model "
               "it is random, so the questions mean nothing yet. Each head uses its own d_k columns of W_Q."),
        [V_UNKNOWN] =
            /* TRANSLATORS: stage "Queries" explained (training not said); ≤ 4 lines of 76 cells */
            N_("Think of a library. Each word brings a question: \"what am I looking for?\" Its query is that "
               "question in numbers: its row of x times W_Q, a matrix that training learns, plus a bias b_Q if "
               "the model has one. Each head uses its own d_k columns of W_Q."),
    },
    [STAGE_MASKED] = {
        [V_LM] =
            /* TRANSLATORS: stage "Causal mask" explained (a language model); ≤ 4 lines of 76 cells */
            N_("Scores of later words become −∞: softmax gives them a weight of exactly 0. A language model "
               "always needs this. In training every position predicts its next word at the same time, and "
               "seeing that word would be cheating; when the model writes, the later words do not exist yet."),
    },
    [STAGE_NORM2] = {
        [V_LM] =
            /* TRANSLATORS: stage "Norm again" explained (a language model); ≤ 4 lines of 76 cells */
            N_("A second layer normalisation ends the block. With the causal mask always on, it is a decoder "
               "block: each position's vector now holds what the model knows for guessing the token after it. "
               "A real language model stacks many such blocks; this one has one."),
    },
    [STAGE_LM_PROBS] = {
        [V_RANDOM] =
            /* TRANSLATORS: stage "Probabilities of the next token" explained (random weights); ≤ 4 lines of 76 cells */
            N_("Softmax turns the logits into probabilities over the whole vocabulary that add up to 1: the "
               "model's guess at the next token. This model is not trained: its guess comes from random "
               "weights and means nothing yet."),
    },
    [STAGE_HEAD_OUT] = {
        [V_CAUSAL] =
            /* TRANSLATORS: stage "Head output" explained (causal mask on); ≤ 4 lines of 76 cells */
            N_("Each word's new vector is a mix of the values of itself and the words before it, weighted by "
               "its row of attention weights (the later words weigh 0): a blend of the contents of the books it "
               "may open. This is the context-aware version of the word, as this head sees it."),
    },
    [STAGE_OUTPUT] = {
        [V_CAUSAL] =
            /* TRANSLATORS: stage "Output projection" explained (causal mask on); ≤ 4 lines of 76 cells */
            N_("One more matrix, W_O, mixes what the heads found into one vector per word. Under the causal "
               "mask each output row has looked only at its own word and the words before it: the first row saw "
               "only itself; only the last row saw every word."),
    },
    [STAGE_RNN_H] = {
        [V_GROWS] =
            /* TRANSLATORS: stage "RNN: the new memory h_t" explained (W_hh stretches); ≤ 4 lines of 76 cells */
            N_("tanh squeezes every number into (−1, 1). The result is the new hidden state: a summary of the "
               "sentence up to this word. An early word reaches it only through W_hh, once per step: this W_hh "
               "stretches some vectors, so that word's effect may fade or grow."),
    },
    [STAGE_INFLUENCE] = {
        [V_GROWS] =
            /* TRANSLATORS: stage "How much each word still matters" explained (W_hh stretches); ≤ 4 lines of 76 cells */
            N_("Influence ‖∂h_N/∂e_i‖: how strongly the final memory h_N responds to small changes of word i's "
               "embedding (exact, by backpropagation). Each step multiplies a far word's effect by W_hh and "
               "tanh's slope: it may fade, or grow (exploding gradients). Attention: one step to the last."),
        [V_LSTM] =
            /* TRANSLATORS: stage "How much each word still matters" explained (LSTM); ≤ 4 lines of 76 cells */
            N_("Influence ‖∂h_N/∂e_i‖: how strongly the final memory h_N responds to small changes of word i's "
               "embedding (exact, by backpropagation). Along the cell, each later forget gate multiplies a far "
               "word's effect: near 1 it lasts, small it fades. In attention every word is one step from the "
               "last."),
    },
    [STAGE_POOLED] = {
        [V_CAUSAL] =
            /* TRANSLATORS: stage "One vector for the sentence" explained (causal mask on); ≤ 4 lines of 76 cells */
            N_("To judge the whole sentence, the words' vectors are averaged into one (mean pooling). Under the "
               "causal mask each word saw only itself and the words before it: only the last vector has seen "
               "every word."),
    },
    [STAGE_PROBS] = {
        [V_CAUSAL] =
            /* TRANSLATORS: stage "Probabilities: the prediction" explained (causal mask on); ≤ 4 lines of 76 cells */
            N_("Softmax turns the logits into probabilities that add up to 1; the class with the largest is the "
               "model's answer. attnstep trains without the causal mask, so a model it trained sees less here "
               "than in training: this answer is not one its training shaped."),
        [V_RANDOM] =
            /* TRANSLATORS: stage "Probabilities: the prediction" explained (random weights); ≤ 4 lines of 76 cells */
            N_("Softmax turns the logits into probabilities that add up to 1. The class with the largest "
               "probability is the model's answer. This model is not trained: its answer and its confidence "
               "come from random weights and mean nothing yet."),
    },
};

/* One slot per stage, filled in the language of the moment at every call, so
 * two stages asked for one after the other do not overwrite each other. */
const struct stage_text *narration_stage(enum stage_kind kind)
{
    static struct stage_text shown[STAGE_KIND_COUNT];
    shown[kind].title = _(english[kind].title);
    shown[kind].explain = _(english[kind].explain);
    return &shown[kind];
}

enum narration_training narration_training(const struct bundle *b)
{
    const char *d = b->description ? b->description : "";
    if (!strncmp(d, "trained:", 8))
        return NARRATION_TRAINED;
    if (!strncmp(d, "random weights:", 15))
        return NARRATION_RANDOM;
    return NARRATION_UNKNOWN;
}

int narration_trained_without_mask(const struct bundle *b)
{
    return narration_training(b) == NARRATION_TRAINED && b->enc.present && b->enc.n_labels > 0 &&
           !strstr(b->description, " --causal");
}

/* Whether h·W_hh shrinks every vector, i.e. ‖W_hh‖₂ < 1: then, tanh's slope
 * being at most 1, a word's effect on the memory shrinks at every step. The
 * spectral norm is bounded above by the Frobenius norm and by √(‖W‖₁‖W‖∞):
 * either below 1 proves it. Otherwise power iteration on v ↦ v·W·Wᵀ finds the
 * vector W stretches most; ‖v·W‖ ≥ ‖v‖ for it proves that W_hh stretches
 * some vector, so the sentence "this W_hh stretches some vectors" is never
 * said of a contracting W_hh (the bounds alone can be above 1 when ‖W‖₂ is
 * not). The work is capped near 4·10⁶ multiply-adds, as narration is asked
 * for on every frame: a d_hidden in the hundreds may stop before it converges
 * and then counts as shrinking. */
static int rnn_contracts(const struct bundle *b)
{
    const struct bundle_recurrent_weights *r = &b->rec[BUNDLE_RNN];
    int Dh = b->d_hidden;
    if (!r->present || Dh <= 0)
        return 1;
    const double *W = r->w_h; /* (Dh, Dh) */
    double fro = 0, max_row = 0, max_col = 0;
    for (int i = 0; i < Dh; i++) {
        double row = 0, col = 0;
        for (int j = 0; j < Dh; j++) {
            double w = W[(size_t)i * Dh + j];
            fro += w * w;
            row += fabs(w);
            col += fabs(W[(size_t)j * Dh + i]);
        }
        max_row = row > max_row ? row : max_row;
        max_col = col > max_col ? col : max_col;
    }
    if (sqrt(fro) < 1 || sqrt(max_row * max_col) < 1)
        return 1;
    double *v = malloc(2 * (size_t)Dh * sizeof *v), *u = v + Dh;
    if (!v)
        return 0;
    for (int i = 0; i < Dh; i++)
        v[i] = 1.0 + 0.01 * i; /* a start no ordinary W_hh is orthogonal to */
    long iters = 4000000L / (2L * Dh * Dh);
    iters = iters < 1 ? 1 : iters > 300 ? 300 : iters;
    double gain = 0; /* ‖v·W‖ / ‖v‖: a lower bound on ‖W‖₂ that power iteration raises */
    for (long it = 0; it < iters && gain < 1; it++) {
        double nv = 0, nu = 0;
        for (int j = 0; j < Dh; j++) {
            double s = 0;
            for (int i = 0; i < Dh; i++)
                s += v[i] * W[(size_t)i * Dh + j];
            u[j] = s;
            nu += s * s;
        }
        for (int i = 0; i < Dh; i++)
            nv += v[i] * v[i];
        gain = nv > 0 ? sqrt(nu / nv) : 0;
        for (int i = 0; i < Dh; i++) { /* v ← u·Wᵀ */
            double s = 0;
            for (int j = 0; j < Dh; j++)
                s += u[j] * W[(size_t)i * Dh + j];
            v[i] = s;
        }
        for (int i = 0; i < Dh && nu > 0; i++) /* keep the scale near 1 */
            v[i] /= sqrt(nu);
    }
    free(v);
    return gain < 1;
}

const char *narration_explain(const struct lesson *l, int stage)
{
    enum stage_kind kind = l->stages[stage].kind;
    const char *const *v = variant[kind];
    enum narration_training t = narration_training(l->trace->model);
    /* What a random model's sentence says holds with or without the mask. */
    const char *text = t == NARRATION_RANDOM ? v[V_RANDOM] : NULL;
    if (l->trace->model->has_tokenizer && v[V_SUBWORD]) /* how the words are cut holds for any weights */
        text = v[V_SUBWORD];
    if (!text && l->trace->is_lm && l->model == TRACE_ATTENTION)
        text = v[V_LM];
    if (!text && l->trace->causal && l->model == TRACE_ATTENTION)
        text = v[V_CAUSAL];
    if (!text && !l->trace->model->positional)
        text = v[V_NO_POSITIONS];
    if (!text && l->model == TRACE_LSTM)
        text = v[V_LSTM];
    if (!text && l->model == TRACE_RNN && (v[V_GROWS] && !rnn_contracts(l->trace->model)))
        text = v[V_GROWS];
    if (!text && t == NARRATION_UNKNOWN)
        text = v[V_UNKNOWN];
    return _(text ? text : english[kind].explain);
}

static const char *const granularity_name[] = {
    /* TRANSLATORS: --granularity stage: a step reveals a whole stage (status line, --print) */
    N_("stage"),
    /* TRANSLATORS: --granularity row: a step reveals one row of a matrix */
    N_("row"),
    /* TRANSLATORS: --granularity cell: a step reveals one cell of a matrix (not an LSTM cell) */
    N_("cell"),
};

const char *narration_granularity(enum granularity g)
{
    return _(granularity_name[g]);
}

int narration_entry(int i, struct narration_entry *e)
{
    if (i < 0)
        return -1;
    if (i < 2 * STAGE_KIND_COUNT) {
        int kind = i % STAGE_KIND_COUNT;
        int is_title = i < STAGE_KIND_COUNT;
        *e = (struct narration_entry){is_title ? NARRATION_TITLE : NARRATION_EXPLANATION, kind,
                                      is_title ? english[kind].title : english[kind].explain};
        return 0;
    }
    i -= 2 * STAGE_KIND_COUNT;
    for (int kind = 0; kind < STAGE_KIND_COUNT; kind++)
        for (int v = 0; v < N_VARIANTS; v++)
            if (variant[kind][v] && i-- == 0) {
                *e = (struct narration_entry){NARRATION_EXPLANATION, kind, variant[kind][v]};
                return 0;
            }
    int n = (int)(sizeof granularity_name / sizeof granularity_name[0]);
    if (i < n) {
        *e = (struct narration_entry){NARRATION_NAME, -1, granularity_name[i]};
        return 0;
    }
    return -1;
}
