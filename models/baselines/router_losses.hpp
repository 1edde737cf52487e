// Router losses of the sparse-MoE literature and their gradients:
//  * load-balancing loss E · Σ_e f_e · P_e (GShard, Lepikhin et al. 2020;
//    Switch, Fedus et al. 2021), differentiable through P_e only;
//  * CV² of a per-expert vector (population variance / mean², as
//    tf.nn.moments), used for Shazeer et al. 2017's importance and load losses;
//  * the smooth load estimator of Shazeer et al. 2017 (tensor2tensor's
//    _prob_in_top_k), which makes the load differentiable under noisy gating;
//  * router z-loss (ST-MoE, Zoph et al. 2022): mean over tokens of logsumexp².
// Sums over tokens run serially in token order so that the values do not
// depend on the thread count (DESIGN.md §5).
#pragma once
#include "core/tensor.hpp"

#include <vector>

namespace moesim {

// E · Σ_e f_e · P_e. `choices` holds k expert ids per token ([T*k], -1 = no
// choice); f_e = (number of choices of e) / T, so with k > 1 the f_e sum to k
// (Hugging Face Mixtral's generalisation); P_e = mean over tokens of probs(t, e).
// Rows of probs need not sum to one (check_values.md D).
double load_balancing_loss(const HostMatrix& probs, const std::vector<int>& choices, int k);
// d_probs(t, e) += coef · E · f_e / T. The counts f_e are not differentiable.
void load_balancing_loss_grad(const HostMatrix& probs, const std::vector<int>& choices, int k,
                              double coef, HostMatrix& d_probs);

// Population variance / mean² (tensor2tensor's cv_squared, eps 1e-10 in the
// denominator against a zero mean); 0 for fewer than two entries.
double cv_squared(const std::vector<double>& v);
// d cv_squared / d v_i.
std::vector<double> cv_squared_grad(const std::vector<double>& v);

// Importance of Shazeer et al. 2017: Σ_t gates(t, e), per expert.
std::vector<double> column_sums(const HostMatrix& m);

// Router z-loss: (1/T) Σ_t (log Σ_e exp(logits(t, e)))². -inf logits (masked
// experts) contribute nothing.
double router_z_loss(const HostMatrix& logits);
// d_logits(t, e) += coef · 2 · lse_t · softmax(logits)_te / T.
void router_z_loss_grad(const HostMatrix& logits, double coef, HostMatrix& d_logits);

double normal_cdf(double z);
double normal_pdf(double z);

// Smooth load of Shazeer et al. 2017, Appendix A:
//   load_e = Σ_t Φ((clean(t,e) − θ(t,e)) / stddev(t,e)),
// θ(t,e) = token t's (k+1)-th largest noisy logit if e is among its top k
// noisy logits (ties → lowest index), else its k-th largest. With k >= E
// every expert is always chosen and the load is the token count.
std::vector<double> smooth_load(const HostMatrix& clean, const HostMatrix& noisy,
                                const HostMatrix& stddev, int k);
// Given d_load [E], accumulates the gradient into d_clean, d_noisy (through the
// threshold θ, which is a noisy logit) and d_stddev (all [T, E], +=).
void smooth_load_grad(const HostMatrix& clean, const HostMatrix& noisy, const HostMatrix& stddev,
                      int k, const std::vector<double>& d_load, HostMatrix& d_clean,
                      HostMatrix& d_noisy, HostMatrix& d_stddev);

}  // namespace moesim
