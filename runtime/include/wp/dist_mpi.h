// wp/dist_mpi.h — a wp::dist::Communicator on a program's own MPI_Comm (includes <mpi.h>;
// wp/dist.h does not). The program keeps the MPI_Comm alive while the communicator is used;
// MPI is initialised first if the program has not done so.
#pragma once

#include <mpi.h>

#include "wp/dist.h"

namespace wp::dist {
namespace detail {
Communicator communicator_from_mpi(const void* mpi_comm);  // points to an MPI_Comm
}  // namespace detail

inline Communicator from_mpi(MPI_Comm comm) {
  return detail::communicator_from_mpi(&comm);
}

}  // namespace wp::dist
