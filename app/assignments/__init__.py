"""Task decomposition (任务分解): which unit leads or supports which goal or measure."""
