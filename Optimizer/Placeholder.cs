namespace Procurement.Optimizer;
