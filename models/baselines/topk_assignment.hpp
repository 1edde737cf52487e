// Selection and capacity logic shared by the sparse routers: pick each
// token's experts, give every kept choice a slot in its expert's buffer of
// `capacity` rows, drop what does not fit, and fill the Dispatch diagnostics.
// Conventions are vmoe's (check_values.md C): tokens in order, all first
// choices before any second choice; or batch-prioritized routing (Riquelme et
// al. 2021, V-MoE): tokens sorted by their top gate, descending. Ties always go
// to the lowest index.
#pragma once
#include "core/tensor.hpp"
#include "moe/dispatch.hpp"

#include <vector>

namespace moesim {

// Indices of the k largest entries of row[0..n) in descending order, ties to
// the lowest index; -inf and NaN entries are never chosen. Returns how many
// were found (< k when fewer entries are selectable).
int row_top_k(const float* row, int n, int k, int* out);

// Each token's routing choices in preference order.
struct TokenChoices {
  int tokens = 0;
  int k = 0;
  std::vector<int> expert;      // [tokens * k], -1 = no choice at that rank
  std::vector<float> weight;    // [tokens * k] combine weight of each choice
  std::vector<float> priority;  // [tokens] batch-prioritized order key (the top gate)
};

// Top-k of every row of scores [T, E] (ties → lowest index, -inf never chosen).
// weight = the score; priority = the largest score of the row.
TokenChoices select_top_k(const HostMatrix& scores, int k);

enum class SlotOrder {
  TokenOrder,        // vmoe / GShard: token 0, 1, ... for each choice rank
  BatchPrioritized,  // V-MoE BPR: tokens by priority descending, ties → lowest index
};

// Gives slots to the choices and fills `out`: num_tokens, num_experts,
// capacity, choices (= k), assignments (ordered by token, then choice rank),
// expert_load (kept choices per expert), tokens_dropped (choices that found
// their expert full; -1 choices are not requests and are not counted) and
// top_expert (expert of the token's largest kept weight, -1 if none).
// aux_loss, z_loss and routing_entropy are left to the router.
void assign_slots(const TokenChoices& choices, int num_experts, int capacity, SlotOrder order,
                  Dispatch& out);

// Expert Choice (Zhou et al. 2022): every expert not in `skip_expert` takes
// its `capacity` highest-scoring tokens (ties → lowest token index), listed
// highest first (slot = rank); weight = the score. Assignments are ordered by
// expert, then slot. tokens_dropped = tokens that no expert took.
void expert_choice_assign(const HostMatrix& scores, int capacity,
                          const std::vector<char>& skip_expert, Dispatch& out);

// Mean over tokens of the entropy (nats) of each row of probs (0·log 0 = 0).
double mean_row_entropy(const HostMatrix& probs);

}  // namespace moesim
