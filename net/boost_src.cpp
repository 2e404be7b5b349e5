// The compiled parts of Asio and Beast (BOOST_ASIO_SEPARATE_COMPILATION, BOOST_BEAST_SEPARATE_COMPILATION):
// built once here instead of in every TU that includes them.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
